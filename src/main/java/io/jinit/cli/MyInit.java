package io.jinit.cli;

/** Placeholder entry point; replaced by the picocli command. */
public final class MyInit {
    private MyInit() {}

    /** @param args the command line */
    public static void main(String[] args) {
        System.out.println("pid " + io.jinit.posix.Libc.getpid());
    }
}
