/** The auditor's pages: the audit log with filters, event detail with a before/after diff, exports. */
package io.tollgate.console.audit;
