import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The JVM floor of the benchmark: a hello world with one FFM downcall (getpid), the least a
 * JVM init built on FFM has to pay at startup. Run from the jinit runtime image with the same
 * JVM flags (baked into the image) and its own AOT cache, trained the same way.
 */
public final class Floor {
    private Floor() {
    }

    /**
     * Prints one line with the process ID, obtained through an FFM downcall to libc getpid.
     *
     * @param args ignored
     * @throws Throwable if the downcall fails
     */
    public static void main(String[] args) throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle getpid = linker.downcallHandle(
                linker.defaultLookup().find("getpid").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT));
        int pid = (int) getpid.invokeExact();
        System.out.println("hello from pid " + pid);
    }
}
