package io.tollgate.gateway.pipeline;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The field list: order, repeats and case-insensitive names, however many fields it holds. */
class HttpFieldsTest {

    private static List<String> pairs(HttpFields fields) {
        List<String> pairs = new ArrayList<>();
        fields.forEach((name, value) -> pairs.add(name + "=" + value));
        for (int i = 0; i < fields.size(); i++) {
            assertThat(fields.name(i) + "=" + fields.value(i)).isEqualTo(pairs.get(i));
        }
        return pairs;
    }

    @Test
    void manyFieldsKeepTheirOrderAndRepeats() {
        HttpFields fields = new HttpFields();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            fields.add("X-" + (i % 7), "v" + i);
            expected.add("X-" + (i % 7) + "=v" + i);
        }

        assertThat(fields.size()).isEqualTo(40);
        assertThat(pairs(fields)).isEqualTo(expected);
        assertThat(fields.all("x-3")).containsExactly("v3", "v10", "v17", "v24", "v31", "v38");
        assertThat(fields.first("X-6")).isEqualTo("v6");
        assertThat(fields.first("X-7")).isNull();
    }

    @Test
    void removingTakesEveryFieldOfTheNameAndKeepsTheRestInOrder() {
        HttpFields fields = new HttpFields().add("A", "1").add("b", "2").add("C", "3").add("B", "4").add("D", "5")
                .add("b", "6");

        fields.remove("B");

        assertThat(pairs(fields)).containsExactly("A=1", "C=3", "D=5");
        fields.remove("missing");
        assertThat(pairs(fields)).containsExactly("A=1", "C=3", "D=5");
        fields.remove("a");
        fields.remove("c");
        fields.remove("d");
        assertThat(fields.size()).isZero();
        assertThat(fields.first("A")).isNull();
        fields.add("E", "7");
        assertThat(pairs(fields)).containsExactly("E=7");
    }

    @Test
    void settingReplacesEveryFieldOfTheNameWithOneAtTheEnd() {
        HttpFields fields = new HttpFields().add("X-Id", "1").add("Accept", "*/*").add("x-id", "2");

        fields.set("X-ID", "3");

        assertThat(pairs(fields)).containsExactly("Accept=*/*", "X-ID=3");
        assertThat(fields.contains("x-id")).isTrue();
    }

    @Test
    void anIndexOutsideTheFieldsIsRefused() {
        HttpFields fields = new HttpFields().add("A", "1").add("B", "2");
        fields.remove("B");

        assertThatThrownBy(() -> fields.name(1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> fields.value(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> new HttpFields().name(0)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void lowerIsAgreesWithLowerCasingTheName() {
        List<String> lowerCase = List.of("host", "connection", "x-powered-by", "te", "k", "i", "ss", "server", "");
        List<String> names = List.of("Host", "HOST", "host", "hosT", "Hast", "Hosts", "Connection", "CONNECTION",
                "X-Powered-By", "x-powered-bY", "X_Powered-By", "TE", "Te", "tE", "T", "K", "\u212A", "k", "I",
                "\u0130", "\u0131", "SS", "\u00df", "Server", "S\u00e9rver", "\u017Ferver", "", "@", "[", "`", "{");
        for (String name : names) {
            for (String lower : lowerCase) {
                assertThat(HttpFields.lowerIs(name, lower)).as("%s / %s", name, lower)
                        .isEqualTo(name.toLowerCase(Locale.ROOT).equals(lower));
            }
        }
    }
}
