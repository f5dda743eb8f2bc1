/** The quickstart program: the library's first steps on the embedded default storage. */
package org.binarybackends.examples.quickstart;
