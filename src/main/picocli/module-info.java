/**
 * The module descriptor of picocli as the released jar declares it
 * ({@code META-INF/versions/9/module-info.class} of info.picocli:picocli), for the build that
 * compiles picocli from its published {@code -sources} jar with {@code --release 25} (pom.xml,
 * executions {@code unpack-picocli-sources} and {@code compile-picocli}): class files the JDK's
 * AOT cache can link, unlike the released Java 5 ones. This file is jinit's; picocli's code is
 * not in this repository.
 */
module info.picocli {
    requires static java.sql;
    exports picocli;
}
