/** Readers for foreign checkpoint formats behind one allow-listed unpickler. */
package io.stylegan2.converter;
