# embed.cmake — turns a file into a C array.
#   cmake -DINPUT=file -DOUTPUT=out.c -DSYMBOL=name -P embed.cmake
# Defines `const unsigned char SYMBOL[]` (NUL-terminated) and
# `const unsigned long SYMBOL_size` (without the NUL).
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" len)
math(EXPR size "${len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n" body "${body}")
file(WRITE "${OUTPUT}"
  "/* generated from ${INPUT} by cmake/embed.cmake */\n"
  "const unsigned char ${SYMBOL}[] = {\n${body}0x00};\n"
  "const unsigned long ${SYMBOL}_size = ${size};\n")
