package io.netwarden.platform.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MetricLabelsTest {

    private static String uriAfterFilter(MetricLabels labels, String name, String uri) {
        MetricLabels.UriFilter filter = new MetricLabels.UriFilter();
        filter.labels = labels;
        Meter.Id id = new Meter.Id(name, Tags.of("method", "POST", "status", "RESET", "uri", uri), null, null, Meter.Type.TIMER);
        return filter.map(id).getTag("uri");
    }

    @Test
    void onlyLabelsOfWhatThisProcessServesSurvive() {
        // Given: one route template seen, one gRPC method of ours
        MetricLabels labels = new MetricLabels();
        labels.grpcMethods = Set.of("/netwarden.dnc.v1.JobService/Submit");
        labels.learn("/api/v1/elements/{name}");

        // Then: raw paths (of reset requests, unknown gRPC methods) become UNKNOWN, the rest stay
        assertEquals("UNKNOWN", uriAfterFilter(labels, "http.server.requests", "/api/v1/elements/reset-junk-1"));
        assertEquals("UNKNOWN", uriAfterFilter(labels, "http.server.requests", "/flood/F1"));
        assertEquals("/api/v1/elements/{name}", uriAfterFilter(labels, "http.server.requests", "/api/v1/elements/{name}"));
        assertEquals("/netwarden.dnc.v1.JobService/Submit", uriAfterFilter(labels, "http.server.requests",
                "/netwarden.dnc.v1.JobService/Submit"));
        assertEquals("NOT_FOUND", uriAfterFilter(labels, "http.server.requests", "NOT_FOUND"));
        assertEquals("/anything", uriAfterFilter(labels, "netwarden.other", "/anything"), "other meters are left alone");
    }
}
