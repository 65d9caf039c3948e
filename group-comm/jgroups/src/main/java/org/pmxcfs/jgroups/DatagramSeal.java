package org.pmxcfs.jgroups;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticated encryption of whole datagrams with a key derived from the cluster authkey, as
 * knet seals every packet: a datagram that does not open is dropped before any byte of it is
 * parsed, so a sender without the key costs one AES-GCM tag check and nothing else.
 *
 * <p>Layout: kind (u8: {@link #DATA} or {@link #PING}, authenticated as associated data) | nonce
 * (12 bytes) | AES-256-GCM ciphertext with its 16-byte tag.
 * The nonce is a random 64-bit salt, fresh per instance and whenever the 32-bit counter that
 * follows it wraps, so no two datagrams sealed under one key share a nonce (a GCM nonce must
 * never repeat). Thread-safe.
 */
public final class DatagramSeal {

    /** Bytes a sealed datagram has beyond its plaintext. */
    public static final int OVERHEAD = 1 + 12 + 16;
    /** A JGroups datagram. */
    public static final byte DATA = 1;
    /** A link heartbeat of {@link SealedUdp}. */
    public static final byte PING = 2;
    private static final int TAG_BITS = 128;

    private final SecretKey key;
    private final SecureRandom random = new SecureRandom();
    private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(DatagramSeal::newCipher);
    /** High 64 bits: salt; the counter lives in the low 32 bits of {@link #counter}. */
    private volatile long salt;
    private final AtomicLong counter = new AtomicLong();

    private DatagramSeal(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
        this.salt = random.nextLong();
    }

    /**
     * The seal of a cluster: keyed by the authkey when secauth is on; without an authkey
     * ({@code secauth: off}) by the group name, which keeps stray and garbage traffic out but is
     * no secret.
     */
    public static DatagramSeal forGroup(byte[] authKey, String group) {
        return new DatagramSeal(authKey != null ? derive("pmxcfs-java datagram key v1", authKey)
                : derive("pmxcfs-java open group v1", group.getBytes(StandardCharsets.UTF_8)));
    }

    static byte[] derive(String label, byte[] secret) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(label.getBytes(StandardCharsets.US_ASCII));
            md.update(secret);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code data[offset, offset+length)} sealed as a {@link #DATA} datagram. */
    public byte[] seal(byte[] data, int offset, int length) {
        return seal(DATA, data, offset, length);
    }

    /** {@code data[offset, offset+length)} sealed into a new array as a datagram of {@code kind}. */
    public byte[] seal(byte kind, byte[] data, int offset, int length) {
        byte[] out = new byte[OVERHEAD + length];
        out[0] = kind;
        long n = counter.getAndIncrement();
        long s = salt;
        if ((n & 0xffffffffL) == 0xffffffffL) {
            salt = random.nextLong(); // the next datagram starts a new nonce space
        }
        putLong(out, 1, s);
        putInt(out, 9, (int) n);
        try {
            Cipher c = ciphers.get();
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, out, 1, 12));
            c.updateAAD(out, 0, 1);
            c.doFinal(data, offset, length, out, 13);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealing a datagram failed", e);
        }
        return out;
    }

    /**
     * Opens {@code data[offset, offset+length)} into {@code out} (at least {@code length} bytes).
     *
     * @return the plaintext length, or -1 if the datagram is not one this seal made (wrong key,
     *         altered, truncated, or not sealed at all); its kind is {@code data[offset]}
     */
    public int open(byte[] data, int offset, int length, byte[] out) {
        if (length < OVERHEAD || (data[offset] != DATA && data[offset] != PING) || out.length < length - OVERHEAD) {
            return -1;
        }
        try {
            Cipher c = ciphers.get();
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, data, offset + 1, 12));
            c.updateAAD(data, offset, 1);
            return c.doFinal(data, offset + 13, length - 13, out, 0);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return -1;
        }
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is not available", e);
        }
    }

    private static void putLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    private static void putInt(byte[] b, int at, int v) {
        for (int i = 3; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }
}
