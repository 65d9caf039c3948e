package org.pmxcfs.join;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The server side of TLS: this node's certificate and key, swappable at run time, so a new node
 * certificate ({@code pvecm add} or {@code updatecerts} writes one) is used by the next handshake
 * without restarting the server.
 */
public final class NodeKeyManager extends X509ExtendedKeyManager {

    private static final String ALIAS = "node";

    private record Material(PrivateKey key, X509Certificate[] chain) {}

    private volatile Material material;

    /** Uses this key and chain (leaf first) from the next handshake on. */
    public void set(PrivateKey key, X509Certificate[] chain) {
        if (chain.length == 0) {
            throw new IllegalArgumentException("empty certificate chain");
        }
        material = new Material(key, chain.clone());
    }

    /** Whether a key was set. */
    public boolean ready() {
        return material != null;
    }

    private String aliasFor(String keyType) {
        Material m = material;
        if (m == null || keyType == null) {
            return null;
        }
        String alg = m.key().getAlgorithm();
        // TLS 1.2 asks for "EC_EC"/"EC_RSA" with ECDH suites; the key type is the part before '_'
        String wanted = keyType.contains("_") ? keyType.substring(0, keyType.indexOf('_')) : keyType;
        return wanted.equalsIgnoreCase(alg) || (wanted.equals("EdDSA") && alg.startsWith("Ed")) ? ALIAS : null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return aliasFor(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyType);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        String a = aliasFor(keyType);
        return a == null ? null : new String[] {a};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Material m = material;
        return m != null && ALIAS.equals(alias) ? m.chain().clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Material m = material;
        return m != null && ALIAS.equals(alias) ? m.key() : null;
    }

    // a server never presents a client certificate

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return null;
    }
}
