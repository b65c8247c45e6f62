package io.tollgate.gateway;

import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import io.tollgate.db.model.Tenant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.SecretKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** jwt routes check real HS256 and RS256 tokens against the tenant's issuer, audience, key and clock skew. */
class JwtRouteTest {
    private static final String SECRET = "a-shared-secret-long-enough-for-hs384-too-0123456789abcdefghijkl";
    private static final SecretKey HMAC = Keys.hmacShaKeyFor(SECRET.getBytes(StandardCharsets.UTF_8));
    private static final String ISSUER = "https://login.example.test";
    private static final String AUDIENCE = "orders-api";

    @TempDir
    static Path dir;
    private static Upstream upstream;
    private static GatewayServer gateway;
    private static KeyPair rsa;
    private static Seed.TenantRows hs256;
    private static Seed.TenantRows rs256;
    private static Seed.TenantRows unset;

    @BeforeAll
    static void start() throws IOException, NoSuchAlgorithmException {
        upstream = Upstream.ok();
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        rsa = generator.generateKeyPair();

        hs256 = Seed.tenant().jwt(new Tenant.Jwt(ISSUER, AUDIENCE, SECRET, null, 30));
        var hsService = hs256.service(upstream.url());
        hs256.route(hsService, "/hs", "jwt");
        hs256.route(hsService, "/passing", "jwt", false, null, true, List.of());
        rs256 = Seed.tenant().jwt(new Tenant.Jwt(ISSUER, AUDIENCE, null, pem(rsa), 0));
        rs256.route(rs256.service(upstream.url()), "/rs", "jwt");
        unset = Seed.tenant();
        unset.route(unset.service(upstream.url()), "/nothing", "jwt");
        hs256.save();
        rs256.save();
        long version = unset.save();

        gateway = Gateways.start(dir.resolve("snap.json"), Map.of());
        Gateways.awaitVersion(gateway, version);
    }

    @AfterAll
    static void stop() {
        gateway.stop();
        upstream.close();
    }

    private static String pem(KeyPair pair) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    private static io.jsonwebtoken.JwtBuilder claims() {
        Instant now = Instant.now();
        return Jwts.builder().subject("client-7").issuer(ISSUER).audience().add(AUDIENCE).and()
                .issuedAt(Date.from(now)).expiration(Date.from(now.plus(Duration.ofMinutes(5))));
    }

    private static RawHttp.Reply call(Seed.TenantRows tenant, String path, String token) throws IOException {
        return token == null ? RawHttp.get(gateway.port(), tenant.host, path)
                : RawHttp.get(gateway.port(), tenant.host, path, "Authorization", "Bearer " + token);
    }

    private static void assertRefused(RawHttp.Reply reply) {
        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.header("WWW-Authenticate")).startsWith("Bearer").contains("invalid_token");
        assertThat(reply.text()).contains("/problems/unauthenticated").contains("The bearer token is not valid");
    }

    @Test
    void aValidHs256TokenIsForwardedWithoutIt() throws IOException {
        int before = upstream.seen.size();
        RawHttp.Reply reply = call(hs256, "/hs", claims().signWith(HMAC, Jwts.SIG.HS256).compact());
        assertThat(reply.status()).isEqualTo(200);
        assertThat(upstream.seen).hasSize(before + 1);
        assertThat(upstream.last().has("Authorization")).isFalse();
    }

    @Test
    void aRouteThatPassesTheCredentialForwardsTheToken() throws IOException {
        String token = claims().signWith(HMAC, Jwts.SIG.HS256).compact();
        assertThat(call(hs256, "/passing", token).status()).isEqualTo(200);
        assertThat(upstream.last().header("Authorization")).isEqualTo("Bearer " + token);
    }

    @Test
    void aMissingTokenIsAskedFor() throws IOException {
        RawHttp.Reply reply = call(hs256, "/hs", null);
        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"tollgate\"");
    }

    @Test
    void wrongSignatureIssuerAudienceOrAlgorithmIsRefused() throws IOException {
        SecretKey otherKey = Keys.hmacShaKeyFor("another-secret-of-at-least-32-bytes-9876543210".getBytes(StandardCharsets.UTF_8));
        assertRefused(call(hs256, "/hs", claims().signWith(otherKey, Jwts.SIG.HS256).compact()));
        assertRefused(call(hs256, "/hs", claims().issuer("https://evil.example.test").signWith(HMAC, Jwts.SIG.HS256).compact()));
        assertRefused(call(hs256, "/hs", claims().audience().single("billing-api").signWith(HMAC, Jwts.SIG.HS256).compact()));
        // same secret, another HMAC: only the configured algorithm is accepted
        assertRefused(call(hs256, "/hs", claims().signWith(HMAC, Jwts.SIG.HS384).compact()));
        // an unsigned token
        assertRefused(call(hs256, "/hs", claims().compact()));
        assertRefused(call(hs256, "/hs", "not.a.token"));
    }

    @Test
    void expiryAndNotBeforeAreCheckedWithTheClockSkew() throws IOException {
        Instant now = Instant.now();
        // skew 30 s: 10 s past expiry still passes, 2 minutes does not
        assertThat(call(hs256, "/hs", claims().expiration(Date.from(now.minusSeconds(10)))
                .signWith(HMAC, Jwts.SIG.HS256).compact()).status()).isEqualTo(200);
        assertRefused(call(hs256, "/hs", claims().expiration(Date.from(now.minusSeconds(120)))
                .signWith(HMAC, Jwts.SIG.HS256).compact()));
        assertRefused(call(hs256, "/hs", claims().notBefore(Date.from(now.plusSeconds(120)))
                .signWith(HMAC, Jwts.SIG.HS256).compact()));
        // a token that never expires is refused
        assertRefused(call(hs256, "/hs", Jwts.builder().issuer(ISSUER).audience().add(AUDIENCE).and()
                .signWith(HMAC, Jwts.SIG.HS256).compact()));
    }

    @Test
    void rs256TokensVerifyWithThePublicKeyOnly() throws IOException, NoSuchAlgorithmException {
        assertThat(call(rs256, "/rs", claims().signWith(rsa.getPrivate(), Jwts.SIG.RS256).compact()).status())
                .isEqualTo(200);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        assertRefused(call(rs256, "/rs", claims().signWith(generator.generateKeyPair().getPrivate(), Jwts.SIG.RS256)
                .compact()));
        // the classic confusion: HS256 keyed with the public key's PEM text
        SecretKey pemAsSecret = Keys.hmacShaKeyFor(pem(rsa).getBytes(StandardCharsets.UTF_8));
        assertRefused(call(rs256, "/rs", claims().signWith(pemAsSecret, Jwts.SIG.HS256).compact()));
    }

    @Test
    void neitherTokensNorTheSecretReachAnyLogLine() throws IOException {
        String good = claims().signWith(HMAC, Jwts.SIG.HS256).compact();
        String expired = claims().expiration(Date.from(Instant.now().minusSeconds(600)))
                .signWith(HMAC, Jwts.SIG.HS256).compact();
        try (var logs = Gateways.CapturedLogs.install()) {
            call(hs256, "/hs", good);
            call(hs256, "/hs", expired);
            call(hs256, "/hs", good + "tampered");
            Gateways.await("three access-log lines",
                    () -> logs.lines.stream().filter(l -> l.startsWith("tollgate.access")).count() >= 3);
            for (String token : List.of(good, expired)) {
                String signature = token.substring(token.lastIndexOf('.') + 1);
                assertThat(logs.lines).allSatisfy(line -> assertThat(line).doesNotContain(signature)
                        .doesNotContain(SECRET).doesNotContain("Bearer"));
            }
        }
    }

    @Test
    void aTenantWithoutJwtSettingsRefusesEveryToken() throws IOException {
        assertRefused(call(unset, "/nothing", claims().signWith(HMAC, Jwts.SIG.HS256).compact()));
    }
}
