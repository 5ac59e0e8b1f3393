package io.netwarden.platform.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.netwarden.platform.persistence.DatabaseErrors;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place where exceptions become HTTP answers. Every answer is {@link ApiError} JSON; bad input is a 4xx, never
 * a 500 or a stack trace. Unexpected failures are logged with an id that the answer repeats.
 */
public class ApiExceptionMapper {

    private static final Logger LOG = Logger.getLogger(ApiExceptionMapper.class);

    @ServerExceptionMapper
    public Response apiException(ApiException e) {
        return respond(e.status(), e.code(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        return respond(400, "malformed_json", describeJsonProblem(e));
    }

    /** Replaces Quarkus' built-in mapper for this type, which answers 400 with an empty body. */
    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e) {
        return malformedJson(e);
    }

    @ServerExceptionMapper
    public Response webApplicationException(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        Throwable cause = e.getCause();
        if (cause instanceof JsonProcessingException json) {
            return malformedJson(json);
        }
        if (status >= 500) {
            return unexpected(e);
        }
        return respond(status, codeFor(status), messageFor(status, e));
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return malformedJson(json);
        }
        String incident = UUID.randomUUID().toString();
        // the database driver's messages can hold bound values (credentials): loggable() leaves them out
        LOG.errorf(DatabaseErrors.loggable(e), "unexpected failure (incident %s)", incident);
        return respond(500, "internal_error", "unexpected failure; the server log has details under incident " + incident);
    }

    static Response respond(int status, String code, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ApiError(code, message)).build();
    }

    /**
     * Names the field path and the reason, never echoes request content beyond the field name (it may hold a secret)
     * nor internal class names.
     */
    static String describeJsonProblem(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            return "unknown field '" + unknown.getPropertyName() + "'" + at(unknown, 1);
        }
        if (e instanceof JsonMappingException mapping) {
            Throwable root = mapping;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            if (root instanceof IllegalArgumentException || root instanceof NullPointerException) {
                return "invalid value" + at(mapping, 0) + ": " + root.getMessage();
            }
            if (mapping instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
                return "expected " + describeType(mismatch.getTargetType()) + at(mapping, 0);
            }
            return "request body does not match the expected shape" + at(mapping, 0);
        }
        var location = e.getLocation();
        return "request body is not valid JSON"
                + (location == null ? "" : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")");
    }

    private static String describeType(Class<?> type) {
        if (type == String.class || type.isEnum() || type == io.netwarden.platform.auth.Secret.class) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (Number.class.isAssignableFrom(type) || (type.isPrimitive() && type != char.class)) {
            return "a number";
        }
        if (type.isArray() || java.util.Collection.class.isAssignableFrom(type)) {
            return "a JSON array";
        }
        return "a JSON object";
    }

    /** " at 'a.b'" for the JSON path of the problem, leaving off the last {@code drop} elements. */
    private static String at(JsonMappingException e, int drop) {
        var refs = e.getPath();
        String path = refs.subList(0, Math.max(0, refs.size() - drop)).stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."));
        return path.isEmpty() ? "" : " at '" + path + "'";
    }

    private static String codeFor(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 409 -> "conflict";
            case 415 -> "unsupported_media_type";
            default -> "http_" + status;
        };
    }

    private static String messageFor(int status, WebApplicationException e) {
        return switch (status) {
            case 404 -> "no such resource";
            case 405 -> "method not allowed on this resource";
            case 415 -> "unsupported content type; send application/json";
            case 406 -> "cannot produce the requested media type; accept application/json";
            default -> e.getMessage() == null ? "request failed" : e.getMessage();
        };
    }
}
