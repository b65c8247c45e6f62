/** Routes: which requests go to which service, with what authentication and limits. */
package io.tollgate.admin.routes;
