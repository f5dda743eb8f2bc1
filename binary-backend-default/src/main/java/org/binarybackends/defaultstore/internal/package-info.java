/** The default storage's implementation: file layout, object files, the download server. Not exported. */
package org.binarybackends.defaultstore.internal;
