package io.tollgate.admin.change;

import io.tollgate.admin.auth.Principal;

/** The principal behind a request plus what the audit trail records about the request itself. */
public record Caller(Principal principal, String requestId, String clientIp) {
}
