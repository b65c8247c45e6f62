/** A tenant admin's pages, scoped to one tenant: dashboard, services, routes, API keys, "try this route". */
package io.tollgate.console.tenant;
