/**
 * What keeps one failing upstream from becoming a storm: the retry budget per service
 * ({@link io.tollgate.gateway.resilience.RetryBudget}), backoff between attempts
 * ({@link io.tollgate.gateway.resilience.Backoff}) and the request's total deadline
 * ({@link io.tollgate.gateway.resilience.Deadline}). State that must outlive a config snapshot (budgets) is held
 * per service id by {@link io.tollgate.gateway.resilience.ServiceGuards}; the forwarding step in
 * {@code io.tollgate.gateway.proxy} consults it. docs/gateway-resilience.md explains the decisions.
 */
package io.tollgate.gateway.resilience;
