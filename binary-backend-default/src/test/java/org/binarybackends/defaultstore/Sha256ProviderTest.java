package org.binarybackends.defaultstore;

import org.binarybackends.testkit.CryptoProviderContract;

/** The default storage's digests come from the provider this run is for (the pom runs it twice). */
class Sha256ProviderTest implements CryptoProviderContract {}
