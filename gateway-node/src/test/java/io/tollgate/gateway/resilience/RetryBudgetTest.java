package io.tollgate.gateway.resilience;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RetryBudgetTest {
    @Test
    void retriesAreAtMostTheRatioOfRequestsInTheWindow() {
        RetryBudget budget = new RetryBudget(0.2, 0);
        for (int i = 0; i < 50; i++) {
            budget.recordRequest();
        }
        int granted = 0;
        for (int i = 0; i < 50; i++) {
            granted += budget.tryRetry() ? 1 : 0;
        }
        assertThat(granted).isEqualTo(10);
    }

    @Test
    void aQuietServiceStillGetsTheFloor() {
        RetryBudget budget = new RetryBudget(0.2, 3);
        budget.recordRequest();

        assertThat(budget.tryRetry()).isTrue();
        assertThat(budget.tryRetry()).isTrue();
        assertThat(budget.tryRetry()).isTrue();
        assertThat(budget.tryRetry()).isFalse();
    }

    @Test
    void moreRequestsRefillTheBudget() {
        RetryBudget budget = new RetryBudget(0.5, 0);
        budget.recordRequest();
        budget.recordRequest();
        assertThat(budget.tryRetry()).isTrue();
        assertThat(budget.tryRetry()).isFalse();

        budget.recordRequest();
        budget.recordRequest();

        assertThat(budget.tryRetry()).isTrue();
    }
}
