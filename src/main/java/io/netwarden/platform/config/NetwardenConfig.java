package io.netwarden.platform.config;

import io.netwarden.platform.RoleSet;
import io.netwarden.platform.auth.Secret;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Platform settings shared by every role: identity, data directory, API access, messaging, export, shutdown. */
@ConfigMapping(prefix = "netwarden")
public interface NetwardenConfig {

    /**
     * Roles this process runs, as a comma list ({@code agent,dispatcher}) or {@code all}. Unset: the Quarkus profiles
     * named like a role ({@code QUARKUS_PROFILE=agent}), else every role. Env: {@code NETWARDEN_ROLES}.
     */
    @WithConverter(RoleSetConverter.class)
    Optional<RoleSet> roles();

    /** Node identity. */
    Node node();

    /**
     * Directory for the embedded H2 database, the generated API token and role files (inbox, logs). Created when
     * missing. Env: {@code NETWARDEN_DATA_DIR}.
     */
    @WithDefault("./data")
    Path dataDir();

    /** The REST/gRPC API. */
    Api api();

    /** Limits on the HTTP port (REST, gRPC, health and metrics share it). */
    Http http();

    /** NATS, the messaging between processes. */
    Nats nats();

    /** Export of domain events to Kafka (on when {@code kafka.bootstrap.servers} is set). */
    Export export();

    /** Graceful shutdown. */
    Shutdown shutdown();

    /** A Consul agent for settings read while running (telnet device profiles); start-up config is quarkus.consul-config. */
    Consul consul();

    interface Node {
        /** Name of this node; default: the host name. Env: {@code NETWARDEN_NODE_NAME}. */
        Optional<String> name();
    }

    interface Api {
        /**
         * Bearer token every {@code /api/v1} call and gRPC call must carry. Unset: generated at first start and kept
         * in {@code <data dir>/api-token} (mode 600). Env: {@code NETWARDEN_API_TOKEN}.
         */
        @WithConverter(SecretConverter.class)
        Optional<Secret> token();

        /** How guessing the token is slowed down, per source address (IPv6: per /64); see FailedAuthLimiter. */
        FailedAuth failedAuth();

        interface FailedAuth {
            /** Wrong tokens a source may send in a row before its requests are held. */
            @WithDefault("10")
            int burst();

            /** One more wrong token is allowed after each interval of this length. */
            @WithDefault("2s")
            Duration refill();

            /** How long a request of a source over its limit is held before its token is looked at. */
            @WithDefault("1s")
            Duration delay();

            /** Requests a source may have held at once; beyond, 429 unread and its connection closed. */
            @WithDefault("32")
            int maxDelayed();
        }
    }

    interface Http {
        /**
         * Most connections open at once; a connection over the limit is closed as soon as it is accepted. 0: half of
         * the process' file-descriptor limit, at most 10000.
         */
        @WithDefault("0")
        int maxConnections();

        /** Most connections open at once from one source (an IPv4 address, or an IPv6 /64); 0: no per-source limit. */
        @WithDefault("256")
        int maxConnectionsPerSource();

        /**
         * A new connection must have sent a complete request head (or the HTTP/2 preface and a request) within this
         * time, or it is closed: silent and slow-drip connections cannot pile up. 0: no limit. Env:
         * {@code NETWARDEN_HTTP_REQUEST_HEADER_TIMEOUT}.
         */
        @WithDefault("10s")
        Duration requestHeaderTimeout();
    }

    interface Nats {
        /**
         * NATS server URL(s), comma separated ({@code nats://127.0.0.1:4222}). Unset: the in-process bus (all roles
         * in one JVM). Env: {@code NETWARDEN_NATS_URL}.
         */
        Optional<String> url();

        /** Time allowed for each connection attempt. */
        @WithDefault("5s")
        Duration connectTimeout();

        /** First wait before reconnecting; it doubles on each failed attempt up to {@code reconnect-max-wait}. */
        @WithDefault("250ms")
        Duration reconnectInitialWait();

        /** Longest wait between two reconnect attempts. */
        @WithDefault("10s")
        Duration reconnectMaxWait();

        /** User name for user/password authentication, with {@code password}. Env: {@code NETWARDEN_NATS_USER}. */
        Optional<String> user();

        /** Password for {@code user}. Env: {@code NETWARDEN_NATS_PASSWORD}. */
        @WithConverter(SecretConverter.class)
        Optional<Secret> password();

        /** Token authentication ({@code authorization { token: … }} on the server). Env: {@code NETWARDEN_NATS_TOKEN}. */
        @WithConverter(SecretConverter.class)
        Optional<Secret> token();

        /**
         * A {@code .creds} file (user JWT and nkey seed, as {@code nsc generate creds} writes it) for decentralised
         * (operator/JWT) authentication. Env: {@code NETWARDEN_NATS_CREDS_FILE}.
         */
        Optional<Path> credsFile();

        /** A file holding a user nkey seed ({@code SU…}) for nkey authentication. Env: {@code NETWARDEN_NATS_NKEY_SEED_FILE}. */
        Optional<Path> nkeySeedFile();

        /**
         * Prefix of this connection's reply subjects (nats' default {@code _INBOX}). Replies include JetStream's
         * deliveries to pull consumers, so a user allowed to subscribe to another user's inbox reads its messages: give
         * each restricted user its own prefix ({@code _INBOX_ship1}) and allow it only that. Env:
         * {@code NETWARDEN_NATS_INBOX_PREFIX}.
         */
        Optional<String> inboxPrefix();

        /** TLS to NATS; on when any of these is set or a URL is {@code tls://}. */
        Tls tls();

        interface Tls {
            /** PEM CA certificate(s) the server's certificate must chain to; unset: the JDK's trust store. */
            Optional<Path> caFile();

            /** PEM client certificate (chain) for servers that verify clients; with {@code key-file}. */
            Optional<Path> certFile();

            /** PEM PKCS#8 private key of {@code cert-file}. */
            Optional<Path> keyFile();
        }
    }

    interface Export {
        /** Wire format of exported events: {@code json}, or {@code protobuf} for events that have a proto message. */
        @WithDefault("json")
        Format format();

        /** Prefix of every export topic: {@code <prefix>.<role>.<event>}. */
        @WithName("topic-prefix")
        @WithDefault("netwarden")
        String topicPrefix();

        enum Format {
            json, protobuf
        }
    }

    interface Consul {
        /** HTTP address of a Consul agent ({@code http://127.0.0.1:8500}). Unset: no Consul. Env: {@code NETWARDEN_CONSUL_URL}. */
        Optional<URI> url();

        /** ACL token sent as {@code X-Consul-Token}. Env: {@code NETWARDEN_CONSUL_TOKEN}. */
        @WithConverter(SecretConverter.class)
        Optional<Secret> token();

        /** Time allowed for connecting to Consul and for each answer. */
        @WithDefault("2s")
        Duration timeout();
    }

    interface Shutdown {
        /** How long a stopping role may take to finish in-flight work before it is cut off. */
        @WithDefault("10s")
        Duration drainTimeout();
    }
}
