/**
 * jinit: an init process (PID 1) for containers, compatible with phusion's {@code my_init}.
 *
 * <p>Packages, arrows pointing down: {@code cli → boot → (env, process, runit, log) → posix → bytes};
 * {@code boot} never imports {@code posix}.
 */
module io.jinit {
    requires info.picocli;
    requires com.fasterxml.jackson.jr.ob;
    requires org.tinylog.api;

    opens io.jinit.cli to info.picocli;
}
