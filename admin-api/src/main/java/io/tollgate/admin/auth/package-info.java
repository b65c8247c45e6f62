/** Who is calling: password hashing, bearer tokens, principals and the RBAC questions asked of them. */
package io.tollgate.admin.auth;
