/** The HTTP edge of the admin API: JSON input, ETags, pagination, problem responses. */
package io.tollgate.admin.http;
