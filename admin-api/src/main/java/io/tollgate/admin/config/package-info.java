/**
 * The declarative workflow for operators: export a tenant's configuration as one document (YAML or JSON), diff a
 * document against what is stored, and apply it in one transaction through the same domain services (validation,
 * RBAC, audit) as the single-object endpoints. {@link io.tollgate.admin.config.ConfigCli} is its command line.
 */
package io.tollgate.admin.config;
