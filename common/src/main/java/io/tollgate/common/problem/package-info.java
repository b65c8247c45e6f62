/** The one problem model (RFC 9457) shared by the gateway and the admin API. */
package io.tollgate.common.problem;
