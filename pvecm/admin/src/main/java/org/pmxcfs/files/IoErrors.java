package org.pmxcfs.files;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** I/O errors worded as the C library does ({@code Permission denied}), as the original's {@code $!}. */
public final class IoErrors {

    private IoErrors() {}

    /** The C library's text for {@code e} ({@code g_strerror}), else its message. */
    public static String reason(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "Directory not empty";
        }
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        return String.valueOf(e.getMessage());
    }
}
