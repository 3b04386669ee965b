package io.jinit.posix;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.util.Map;

/**
 * Names the {@code errno} behind a failed {@code java.nio.file} operation, for one-line warnings:
 * {@code Read-only file system (EROFS)}, {@code Permission denied (EACCES)}. The JDK keeps only
 * {@code strerror(3)}'s text (or, for EACCES, ENOENT, EEXIST, its own exception type); this maps
 * both back to the symbolic name of {@code errno(3)} (Linux, glibc's texts).
 */
public final class IoFailures {
    private IoFailures() {}

    /** strerror(3) text → errno name, for the errors a file operation of the init can meet. */
    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("Operation not permitted", "EPERM"),
            Map.entry("No such file or directory", "ENOENT"),
            Map.entry("Input/output error", "EIO"),
            Map.entry("Permission denied", "EACCES"),
            Map.entry("File exists", "EEXIST"),
            Map.entry("Invalid cross-device link", "EXDEV"),
            Map.entry("Not a directory", "ENOTDIR"),
            Map.entry("Is a directory", "EISDIR"),
            Map.entry("Invalid argument", "EINVAL"),
            Map.entry("Too many open files", "EMFILE"),
            Map.entry("No space left on device", "ENOSPC"),
            Map.entry("Read-only file system", "EROFS"),
            Map.entry("Too many links", "EMLINK"),
            Map.entry("File name too long", "ENAMETOOLONG"),
            Map.entry("Directory not empty", "ENOTEMPTY"),
            Map.entry("Too many levels of symbolic links", "ELOOP"),
            Map.entry("Disk quota exceeded", "EDQUOT"),
            Map.entry("Device or resource busy", "EBUSY"));

    /**
     * @param e a failed file operation
     * @return its reason with the errno name, e.g. {@code Read-only file system (EROFS)}; for an
     *     exception that carries no errno text, its message
     */
    public static String reason(IOException e) {
        String text = switch (e) {
            case AccessDeniedException a -> "Permission denied";
            case NoSuchFileException n -> "No such file or directory";
            case FileAlreadyExistsException f -> "File exists";
            case DirectoryNotEmptyException d -> "Directory not empty";
            case NotDirectoryException d -> "Not a directory";
            case NotLinkException l -> "Invalid argument";
            case FileSystemException f when f.getReason() != null -> f.getReason();
            default -> e.getMessage() != null ? e.getMessage() : e.toString();
        };
        String name = NAMES.get(text);
        return name == null ? text : text + " (" + name + ")";
    }

    /**
     * @param e a failed file operation
     * @return {@code FILE: REASON} ({@code FILE -> OTHER: REASON} for a rename or link), the
     *     reason as {@link #reason}; just the reason when the exception names no file
     */
    public static String describe(IOException e) {
        if (e instanceof FileSystemException f && f.getFile() != null) {
            return f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "") + ": " + reason(e);
        }
        return reason(e);
    }
}
