/** Helpers shared by the API's classes; not exported, not for callers. */
package org.binarybackends.internal;
