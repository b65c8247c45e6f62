/** JSON mapping shared by every module. */
package io.tollgate.common.json;
