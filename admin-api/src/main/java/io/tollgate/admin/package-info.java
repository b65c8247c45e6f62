/**
 * The admin control plane. Domain services (one package per resource) validate, check RBAC and tenancy, and
 * write through {@link io.tollgate.admin.change.ChangeWriter}; REST resources are thin adapters over them, and
 * the console reuses the same services.
 */
package io.tollgate.admin;
