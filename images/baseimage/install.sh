#!/bin/sh
# The one RUN step of images/baseimage/Dockerfile: installs what jinit/baseimage adds to
# jinit/base, with no network.
#   /tmp/jinit-baseimage/debs    the flat apt repository of images/baseimage/fetch-debs.sh
#   /tmp/jinit-baseimage/files   images/baseimage/files: every file below is ours
# Build arguments (1/true/yes or 0/false/no/empty), as phusion's image names them:
#   DISABLE_SYSLOG=1   no syslog-ng: no package, service, startup script, hook
#   DISABLE_CRON=1     no cron and no logrotate (cron runs it)
#   DISABLE_SSH=1      no sshd: no openssh-server, service or 00_regen_ssh_host_keys.sh
# jinit/base has none of these packages (images/rootfs.sh), so leaving one out leaves its
# bytes out of the image too; nothing needs to be purged.
set -eu

src=/tmp/jinit-baseimage
say() { echo "install.sh: $*" >&2; }
flag() {
    eval "v=\${$1:-0}"
    case $v in
        1|true|yes) return 0 ;;
        0|false|no|'') return 1 ;;
        *) say "ERROR: $1=$v: expected 1/true/yes or 0/false/no"; exit 2 ;;
    esac
}
syslog=1; cron=1; ssh=1
! flag DISABLE_SYSLOG || syslog=0
! flag DISABLE_CRON || cron=0
! flag DISABLE_SSH || ssh=0
say "syslog-ng=$syslog cron=$cron sshd=$ssh"

# --- packages, from the local repository only ---------------------------------------------
pkgs=
[ "$syslog" = 0 ] || pkgs="$pkgs syslog-ng-core"
[ "$cron" = 0 ] || pkgs="$pkgs cron logrotate"
[ "$ssh" = 0 ] || pkgs="$pkgs openssh-server"

# package scripts never start daemons here: runit does, at boot (invoke-rc.d(8))
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
chmod 0755 /usr/sbin/policy-rc.d
export DEBIAN_FRONTEND=noninteractive
mkdir -p "$src/sources.list.d"
echo "deb [trusted=yes] file:$src/debs ./" > "$src/sources.list"
apt="apt-get -q -o Dir::Etc::SourceList=$src/sources.list -o Dir::Etc::SourceParts=$src/sources.list.d"
$apt update
if [ -n "$pkgs" ]; then
    $apt install -y --no-install-recommends $pkgs
fi
apt-get clean
rm -rf /var/lib/apt/lists/* /usr/sbin/policy-rc.d /var/log/apt /var/log/dpkg.log /var/log/alternatives.log \
       /var/lib/dpkg/*-old /var/cache/debconf/*-old
# no host keys in an image: every container would share them
rm -f /etc/ssh/ssh_host_*
# the login records that sshd and login(1) write (jinit/base's layer has no log files)
install -m 0664 -g utmp /dev/null /var/log/wtmp
install -m 0664 -g utmp /dev/null /var/log/lastlog
install -m 0660 -g utmp /dev/null /var/log/btmp
install -m 0664 -g utmp /dev/null /run/utmp
# pam_env of ssh and cron sessions reads it: the image's locale
[ -e /etc/default/locale ] || echo "LANG=${LANG:-C.UTF-8}" > /etc/default/locale

# --- files ----------------------------------------------------------------------------------
f=$src/files
put() { install -D -m "$1" "$f$2" "$2"; }   # put MODE PATH
put 0755 /usr/sbin/setuser
put 0755 /usr/sbin/install_clean
put 0755 /usr/sbin/enable_insecure_key
put 0644 /etc/insecure_key.pub
put 0600 /etc/insecure_key
install -d -m 0700 /root/.ssh

# login shells (ssh, `bash -l`) get the container's environment; /etc/profile sources only
# readable files, and this one is 0640 root:docker_env, so other users' shells skip it
ln -sf /etc/container_environment.sh /etc/profile.d/00_container_environment.sh

if [ "$syslog" = 1 ]; then
    put 0644 /etc/syslog-ng/syslog-ng.conf
    mkdir -p /etc/syslog-ng/conf.d
    put 0644 /etc/logrotate.d/syslog-ng
    put 0755 /etc/service/syslog-ng/run
    put 0755 /etc/service/syslog-ng/check
    put 0755 /etc/my_init.d/10_syslog-ng.init
    put 0755 /etc/my_init.post_shutdown.d/10_syslog-ng.shutdown
    syslog-ng --no-caps --syntax-only
else
    rm -f /etc/logrotate.d/syslog-ng
fi
if [ "$cron" = 1 ]; then
    put 0755 /etc/service/cron/run
fi
if [ "$ssh" = 1 ]; then
    put 0755 /etc/service/sshd/run
    put 0755 /etc/my_init.d/00_regen_ssh_host_keys.sh
    touch /etc/service/sshd/down        # disabled until an image removes this file
fi

say "done: $(ls /etc/service | tr '\n' ' ')"
