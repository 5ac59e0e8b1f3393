package io.netwarden.edge.nodes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netwarden.platform.crypto.Ed25519Key;
import io.netwarden.platform.messaging.Subjects;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A node's periodic "I am here" on {@code edge.hello.<node>}: name, version, roles and the public key it signs with,
 * signed with that key (proof that the sender holds it). JSON:
 * {@code {"node","version","roles":[…],"publicKey":"<base64 X.509>","sentAt","signature"}}. Immutable.
 */
public record Hello(String node, String version, List<String> roles, PublicKey publicKey, Instant sentAt, byte[] signature) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public Hello {
        Subjects.requireToken("node", node);
        roles = List.copyOf(roles);
    }

    public static String subject(String node) {
        return "edge.hello." + node;
    }

    public static Hello signed(String node, String version, List<String> roles, Ed25519Key key, Instant now) {
        Hello unsigned = new Hello(node, version, roles, key.publicKey(), now, new byte[0]);
        return new Hello(node, version, roles, key.publicKey(), now, key.sign(unsigned.signingBytes()));
    }

    /** Whether the signature is this hello's, by the key it carries. */
    public boolean selfSigned() {
        return Ed25519Key.verify(publicKey, signingBytes(), signature);
    }

    public String fingerprint() {
        return Ed25519Key.fingerprint(publicKey);
    }

    byte[] signingBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String field : List.of("netwarden-hello-v1", node, version, String.join(",", roles),
                Base64.getEncoder().encodeToString(publicKey.getEncoded()), Long.toString(sentAt.toEpochMilli()))) {
            byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
            out.writeBytes((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(bytes);
            out.write('\n');
        }
        return out.toByteArray();
    }

    public byte[] toJson() {
        ObjectNode json = JSON.createObjectNode();
        json.put("node", node);
        json.put("version", version);
        roles.forEach(json.putArray("roles")::add);
        json.put("publicKey", Base64.getEncoder().encodeToString(publicKey.getEncoded()));
        json.put("sentAt", sentAt.toString());
        json.put("signature", Base64.getEncoder().encodeToString(signature));
        try {
            return JSON.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @throws IllegalArgumentException naming what is wrong */
    public static Hello fromJson(byte[] bytes) {
        if (bytes.length > 8192) {
            throw new IllegalArgumentException("a hello is at most 8 KiB");
        }
        try {
            JsonNode root = JSON.readTree(bytes);
            List<String> roles = new ArrayList<>();
            JsonNode list = root.path("roles");
            if (!list.isArray() || list.size() > 16) {
                throw new IllegalArgumentException("roles must be a list");
            }
            list.forEach(r -> roles.add(short64(r.asText())));
            if (String.join(",", roles).length() > 200) {
                throw new IllegalArgumentException("roles must be at most 200 characters together");
            }
            PublicKey key = Ed25519Key.publicKey(Base64.getDecoder().decode(root.path("publicKey").asText()));
            return new Hello(root.path("node").asText(), short64(root.path("version").asText()), roles, key,
                    Instant.parse(root.path("sentAt").asText()), Base64.getDecoder().decode(root.path("signature").asText()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a valid hello (" + e.getMessage() + ")");
        } catch (Exception e) {
            throw new IllegalArgumentException("not a valid hello (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static String short64(String value) {
        if (value.isEmpty() || value.length() > 64 || value.chars().anyMatch(c -> c < 0x20 || c > 0x7e)) {
            throw new IllegalArgumentException("a field holds 1-64 printable ASCII characters");
        }
        return value;
    }
}
