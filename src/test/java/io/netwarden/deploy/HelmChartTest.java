package io.netwarden.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart lints, renders the role an operator asks for, refuses an unknown role, and k8s/netwarden.yaml is
 * exactly what it renders (regenerate with {@code -Dnetwarden.regenerate-k8s=true}).
 */
class HelmChartTest {

    private static final Path CHART = Path.of("helm/netwarden");
    private static final Path K8S = Path.of("k8s/netwarden.yaml");
    static final String K8S_HEADER = """
            # generated from helm/netwarden - do not edit; regenerate with:
            #   mvn test -Dtest=HelmChartTest -Dnetwarden.regenerate-k8s=true
            # Every role in one pod with embedded defaults. Create the token secret first:
            #   kubectl create secret generic netwarden-api-token --from-literal=token=$(openssl rand -base64 32)
            """;

    @Test
    void chartLintsClean() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertFalse(lint.isFailed(), String.join("\n", lint.getMessages()));
    }

    @Test
    void roleAgentRendersAnAgentOnlyDeployment() {
        // When
        String rendered = new Helm(CHART).template().withName("nw-agent").set("role", "agent")
                .set("nats.url", "nats://nats:4222").set("apiToken.value", "s3cret-token-0123456789abcdef").call();

        // Then
        assertTrue(rendered.contains("- name: NETWARDEN_ROLES\n              value: \"agent\""), rendered);
        assertTrue(rendered.contains("- name: NETWARDEN_NATS_URL\n              value: \"nats://nats:4222\""), rendered);
        assertTrue(rendered.contains("path: /q/health/ready"), rendered);
        assertTrue(rendered.contains("kind: Secret"), "a token given as a value is stored in a Secret");
        assertTrue(rendered.contains("token: \"czNjcmV0LXRva2VuLTAxMjM0NTY3ODlhYmNkZWY=\""), rendered);
        assertTrue(rendered.contains("name: nw-agent-api-token"), rendered);
        assertTrue(rendered.contains("- name: QUARKUS_HTTP_HOST\n              value: \"0.0.0.0\""),
                "the app alone binds loopback; in a pod it must listen on the pod address: " + rendered);
    }

    @Test
    void aShortTokenFailsTheInstall() {
        var e = assertThrows(IllegalStateException.class,
                () -> new Helm(CHART).template().withName("nw").set("apiToken.value", "short-token").call());
        assertTrue(e.getMessage().contains("apiToken.value must be at least 24 characters"), e.getMessage());
        assertFalse(e.getMessage().contains("short-token"), "the message never repeats the token");
    }

    @Test
    void anUnknownRoleFailsTheInstallNamingTheValidOnes() {
        var e = assertThrows(IllegalStateException.class,
                () -> new Helm(CHART).template().withName("nw").set("role", "agent,bogus").call());
        assertTrue(e.getMessage().contains("unknown role 'bogus'; valid roles: agent, dispatcher, registry, edge-node, netmanager, all"),
                e.getMessage());
    }

    @Test
    void withoutATokenTheAppGeneratesItsOwn() {
        String rendered = new Helm(CHART).template().withName("nw").call();
        assertFalse(rendered.contains("NETWARDEN_API_TOKEN"), rendered);
        assertFalse(rendered.contains("kind: Secret"), rendered);
    }

    @Test
    void postgresqlSettingsReachTheContainer() {
        String rendered = new Helm(CHART).template().withName("nw").set("database.url", "jdbc:postgresql://pg:5432/nw")
                .set("database.username", "nw").set("database.existingSecret", "pg-secret").call();
        assertTrue(rendered.contains("value: \"jdbc:postgresql://pg:5432/nw\""), rendered);
        assertTrue(rendered.contains("name: pg-secret"), rendered);
    }

    @Test
    void k8sManifestIsTheRenderedChart() throws Exception {
        String rendered = K8S_HEADER + new Helm(CHART).template().withName("netwarden")
                .set("apiToken.existingSecret", "netwarden-api-token").call();
        if (Boolean.getBoolean("netwarden.regenerate-k8s")) {
            Files.writeString(K8S, rendered);
        }
        assertEquals(rendered, Files.readString(K8S),
                "k8s/netwarden.yaml is out of date; regenerate with -Dnetwarden.regenerate-k8s=true");
    }
}
