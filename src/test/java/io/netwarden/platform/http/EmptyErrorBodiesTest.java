package io.netwarden.platform.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EmptyErrorBodiesTest {

    @Test
    void vertxEmptyRefusalsGetTheirJsonBody() {
        String rewritten = EmptyErrorBodies.replacement("HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n");
        String body = "{\"error\":\"headers_too_large\",\"message\":\"the request headers are larger than 16384 bytes\"}";
        assertEquals("HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/json\r\ncontent-length: "
                + body.length() + "\r\nconnection: close\r\n\r\n" + body, rewritten);
        assertTrue(EmptyErrorBodies.replacement("HTTP/1.0 414 Request-URI Too Long\r\ncontent-length: 0\r\n\r\n")
                .endsWith("{\"error\":\"uri_too_long\",\"message\":\"the request target is longer than 8192 characters\"}"));
        assertTrue(EmptyErrorBodies.replacement("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n")
                .contains("\"error\":\"bad_request\""));
    }

    @Test
    void everyOtherAnswerIsLeftAlone() {
        // our own errors carry a body; success, auth and not-found answers are never touched
        assertNull(EmptyErrorBodies.replacement("HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 40\r\n\r\n"));
        assertNull(EmptyErrorBodies.replacement("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"));
        assertNull(EmptyErrorBodies.replacement("HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n"));
        assertNull(EmptyErrorBodies.replacement("HTTP/1.1 414 Request-URI Too Long\r\ncontent-length: 0\r\nx-other: 1\r\n\r\n"));
        assertNull(EmptyErrorBodies.replacement("HTTP/1.1 414 Request-URI Too Long\r\n\r\n"));
        assertNull(EmptyErrorBodies.replacement("HTTP/1.1 414 Request-URI Too Long\r\ncontent-length: 0\r\n"));
        assertNull(EmptyErrorBodies.replacement("HTTP/1.1 4"));
        assertNull(EmptyErrorBodies.replacement("{\"some\":\"body bytes\"}"));
    }
}
