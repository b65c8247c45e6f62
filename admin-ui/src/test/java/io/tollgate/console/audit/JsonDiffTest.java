package io.tollgate.console.audit;

import io.tollgate.common.json.Json;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JsonDiffTest {
    @Test
    void nestedFieldsAreComparedOneByOne() throws Exception {
        var before = Json.mapper().readTree("{\"name\":\"a\",\"plan\":{\"rate\":1},\"targets\":[{\"url\":\"x\"}]}");
        var after = Json.mapper().readTree("{\"name\":\"a\",\"plan\":{\"rate\":2},\"targets\":[],\"new\":true}");
        var rows = JsonDiff.of(before, after);
        assertThat(rows).extracting(JsonDiff.Row::field, JsonDiff.Row::change).contains(
                org.assertj.core.groups.Tuple.tuple("name", "same"),
                org.assertj.core.groups.Tuple.tuple("plan.rate", "changed"),
                org.assertj.core.groups.Tuple.tuple("targets[0].url", "removed"),
                org.assertj.core.groups.Tuple.tuple("targets", "added"),
                org.assertj.core.groups.Tuple.tuple("new", "added"));
    }

    @Test
    void aCreateHasOnlyAfterValues() throws Exception {
        var rows = JsonDiff.of(null, Json.mapper().readTree("{\"slug\":\"acme\"}"));
        assertThat(rows).containsExactly(new JsonDiff.Row("slug", null, "acme", "added"));
    }
}
