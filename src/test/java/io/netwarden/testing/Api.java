package io.netwarden.testing;

import static io.restassured.RestAssured.given;

import io.restassured.specification.RequestSpecification;

/** REST calls with the test token ({@code %test.netwarden.api.token}). */
public final class Api {

    public static final String TOKEN = "test-token-0123456789abcdef";

    private Api() {
    }

    public static RequestSpecification authed() {
        return given().header("Authorization", "Bearer " + TOKEN);
    }
}
