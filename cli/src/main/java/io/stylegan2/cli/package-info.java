/** picocli commands; the only module that prints. */
package io.stylegan2.cli;
