/**
 * An example of a backend plugin written outside this project: type {@code inmemory}, binaries kept
 * in memory up to a capacity, download URLs checked by {@link com.example.binaries.memory.InMemoryBackend#download}.
 */
package com.example.binaries.memory;
