package org.pmxcfs.corosync;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * pmxcfs's quick look at a corosync.conf's version ({@code cluster_config_version} in
 * {@code cfs-utils.c}): the first match of {@code config_version\s*:\s*(\d+)} anywhere in the
 * bytes, comments and other sections included, read as an unsigned 64-bit number that saturates
 * like {@code strtoull}. 0 means none. Deliberately not the full parser: the copy rule must treat
 * files exactly as the original does, including files the parser would refuse.
 */
public final class ConfigVersion {

    // Java's \s and \d without UNICODE_CHARACTER_CLASS match what GRegex's do here: ASCII only.
    private static final Pattern VERSION = Pattern.compile("config_version\\s*:\\s*(\\d+)");

    private ConfigVersion() {
    }

    /**
     * The version, as an unsigned long (compare with {@link Long#compareUnsigned}); 0 if there is
     * none. Digits beyond 2^64-1 give 2^64-1 ({@code -1L}), as {@code strtoull} does.
     */
    public static long of(byte[] conf) {
        // ISO-8859-1 maps each byte to one char, so any bytes work and the regex sees ASCII as is.
        Matcher m = VERSION.matcher(new String(conf, StandardCharsets.ISO_8859_1));
        if (!m.find()) {
            return 0;
        }
        try {
            return Long.parseUnsignedLong(m.group(1));
        } catch (NumberFormatException overflow) {
            return -1L;
        }
    }
}
