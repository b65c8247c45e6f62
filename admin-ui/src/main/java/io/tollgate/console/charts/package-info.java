/** Server-rendered SVG charts: no script, no inline style, every label escaped, a text alternative on each. */
package io.tollgate.console.charts;
