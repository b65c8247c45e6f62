/** Reading the audit trail. Writing happens only through {@link io.tollgate.admin.change.ChangeWriter}. */
package io.tollgate.admin.audit;
