/** ND4J/SameDiff plumbing and StyleGAN2 ops; depends on nothing else of this project. */
package io.stylegan2.core;
