package io.tollgate.console.web;

import io.tollgate.common.problem.Problem;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FormTest {
    @Test
    void urlEncodedFieldsAreDecodedAndStripped() {
        Form f = Form.parse("name=+orders+&targets=http%3A%2F%2Fa%3A1+2%0D%0Ahttp%3A%2F%2Fb&methods=GET&methods=POST&flag");
        assertThat(f.text("name")).isEqualTo("orders");
        assertThat(f.text("targets")).isEqualTo("http://a:1 2\r\nhttp://b");
        assertThat(f.all("methods")).containsExactly("GET", "POST");
        assertThat(f.checked("flag")).isTrue();
        assertThat(f.text("missing")).isEmpty();
    }

    @Test
    void fieldErrorsLandBesideTheirFormField() {
        var e = Problem.validation(List.of(new Problem.FieldError("targets[1].url", "is not a valid URL"),
                new Problem.FieldError("plan.rate_per_second", "is required"),
                new Problem.FieldError("name", "is required"))).toException();
        var errors = Pages.fieldErrors(e);
        assertThat(errors).containsEntry("targets", "line 2 (url): is not a valid URL")
                .containsEntry("rate_per_second", "is required").containsEntry("name", "is required");
    }

    @Test
    void datetimeLocalValuesAreReadAsUtc() {
        assertThat(Display.rfc3339("2030-01-31T12:00")).isEqualTo("2030-01-31T12:00:00Z");
        assertThat(Display.rfc3339("")).isNull();
        assertThat(Display.rfc3339("tomorrow")).isEqualTo("tomorrow");
    }
}
