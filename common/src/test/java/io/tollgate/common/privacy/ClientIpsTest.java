package io.tollgate.common.privacy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientIpsTest {
    @Test
    void fullKeepsTheAddress() {
        assertThat(ClientIps.create("full", null).apply("203.0.113.77")).isEqualTo("203.0.113.77");
    }

    @Test
    void truncateKeepsTheNetworkOnly() {
        ClientIps ips = ClientIps.create("truncate", null);
        assertThat(ips.apply("203.0.113.77")).isEqualTo("203.0.113.0");
        assertThat(ips.apply("2001:db8:abcd:12:1:2:3:4")).isEqualTo("2001:db8:abcd:0:0:0:0:0");
        assertThat(ips.apply("not-an-address.example")).isEqualTo("invalid");
    }

    @Test
    void pseudonymizeIsStablePerKeyAndHidesTheAddress() {
        ClientIps a = ClientIps.create("pseudonymize", "first-key-0123456789");
        ClientIps b = ClientIps.create("pseudonymize", "other-key-0123456789");
        String once = a.apply("203.0.113.77");
        assertThat(once).startsWith("ip-").doesNotContain("203").isEqualTo(a.apply("203.0.113.77"));
        assertThat(a.apply("203.0.113.78")).isNotEqualTo(once);
        assertThat(b.apply("203.0.113.77")).isNotEqualTo(once);
    }

    @Test
    void pseudonymizeNeedsAKeyAndUnknownModesAreRefused() {
        assertThatThrownBy(() -> ClientIps.create("pseudonymize", null)).hasMessageContaining("TOLLGATE_CLIENT_IP_KEY");
        assertThatThrownBy(() -> ClientIps.create("blur", null)).hasMessageContaining("TOLLGATE_CLIENT_IP_MODE");
    }
}
