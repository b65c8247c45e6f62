package io.tollgate.gateway;

import io.tollgate.db.model.Service;
import io.tollgate.db.store.ServiceStore;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/** Weighted round robin with live weight changes, least in flight and consistent hashing, on real upstreams. */
class LoadBalancingTest extends WithGateway {

    private static Service.Resilience policy(String lbPolicy, String hashHeader) {
        return new Service.Resilience(lbPolicy, hashHeader, 0, 30_000, 0, 10_000, 1, null, 10_000, 2_000, 2, 3);
    }

    /** An upstream that answers with its own name, so the client sees which target served it. */
    private static Upstream named(String name) throws IOException {
        return Upstream.answering(e -> Upstream.send(e, 200, name));
    }

    @Test
    void weightsSplitTrafficAndAWeightChangeAppliesWithoutRestart() throws IOException {
        try (Upstream a = named("a"); Upstream b = named("b")) {
            var t = Seed.tenant();
            Service s = t.service(List.of(new Service.Target(a.url(), 3), new Service.Target(b.url(), 1)), 0);
            t.route(s, "/w", "none");
            Gateways.awaitVersion(gateway, t.save());

            for (int i = 0; i < 40; i++) {
                RawHttp.get(gateway.port(), t.host, "/w");
            }
            assertThat(a.seen).hasSize(30);
            assertThat(b.seen).hasSize(10);

            // the canary is drained: weight 0 takes it out of rotation
            Service drained = new Service(s.id(), s.tenantId(), s.name(), s.language(), s.protocol(),
                    List.of(new Service.Target(a.url(), 0), new Service.Target(b.url(), 1)), s.connectTimeoutMs(),
                    s.readTimeoutMs(), s.retries(), s.rowVersion(), s.createdAt(), s.updatedAt(), s.resilience());
            Gateways.awaitVersion(gateway, Seed.change(dsl -> new ServiceStore(dsl).update(drained, s.rowVersion())));
            for (int i = 0; i < 10; i++) {
                assertThat(RawHttp.get(gateway.port(), t.host, "/w").text()).isEqualTo("b");
            }
            assertThat(a.seen).hasSize(30);
        }
    }

    @Test
    void leastInFlightSendsAroundATargetThatIsBusy() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Upstream slow = Upstream.heldUntil(release, "slow");
             Upstream fast = named("fast")) {
            var t = Seed.tenant();
            t.route(t.service(List.of(slow.url(), fast.url()), 0, 30_000, policy("least-in-flight", null)), "/l", "none");
            Gateways.awaitVersion(gateway, t.save());

            // park requests until one is held by the slow target
            Thread held = null;
            while (slow.seen.isEmpty()) {
                held = Thread.ofVirtual().start(() -> {
                    try {
                        RawHttp.get(gateway.port(), t.host, "/l");
                    } catch (IOException ignored) {
                        // the test asserts on what the upstreams saw
                    }
                });
                held.join(200);
            }
            int fastBefore = fast.seen.size();

            for (int i = 0; i < 10; i++) {
                assertThat(RawHttp.get(gateway.port(), t.host, "/l").text()).isEqualTo("fast");
            }

            assertThat(slow.seen).hasSize(1);
            assertThat(fast.seen).hasSize(fastBefore + 10);
            release.countDown();
            held.join(10_000);
        }
    }

    @Test
    void consistentHashOnAHeaderKeepsEachClientOnOneTarget() throws IOException {
        try (Upstream a = named("a"); Upstream b = named("b"); Upstream c = named("c")) {
            var t = Seed.tenant();
            t.route(t.service(List.of(a.url(), b.url(), c.url()), 0, 30_000, policy("consistent-hash", "X-User")),
                    "/c", "none");
            Gateways.awaitVersion(gateway, t.save());

            Map<String, Set<String>> servedBy = new HashMap<>();
            for (int round = 0; round < 3; round++) {
                for (int user = 0; user < 20; user++) {
                    String body = RawHttp.get(gateway.port(), t.host, "/c", "X-User", "user-" + user).text();
                    servedBy.computeIfAbsent("user-" + user, k -> new HashSet<>()).add(body);
                }
            }

            assertThat(servedBy.values()).allSatisfy(targets -> assertThat(targets).hasSize(1));
            Set<String> used = new HashSet<>();
            servedBy.values().forEach(used::addAll);
            assertThat(used).hasSizeGreaterThan(1);
        }
    }

    @Test
    void consistentHashWithoutAHeaderUsesTheCallersApiKey() throws IOException {
        try (Upstream a = named("a"); Upstream b = named("b"); Upstream c = named("c")) {
            var t = Seed.tenant();
            t.route(t.service(List.of(a.url(), b.url(), c.url()), 0, 30_000, policy("consistent-hash", null)),
                    "/k", "api-key");
            List<Seed.Key> keys = new java.util.ArrayList<>();
            for (int i = 0; i < 12; i++) {
                keys.add(t.key());
            }
            Gateways.awaitVersion(gateway, t.save());

            Set<String> used = new HashSet<>();
            for (Seed.Key key : keys) {
                Set<String> targets = new HashSet<>();
                for (int i = 0; i < 3; i++) {
                    RawHttp.Reply reply = RawHttp.get(gateway.port(), t.host, "/k", "X-Api-Key", key.plaintext());
                    assertThat(reply.status()).isEqualTo(200);
                    targets.add(reply.text());
                }
                assertThat(targets).hasSize(1);
                used.addAll(targets);
            }
            // twelve keys over three targets: with a fair hash they do not all land on one
            assertThat(used).hasSizeGreaterThan(1);
        }
    }
}
