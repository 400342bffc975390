// test-dispatch-header.cc: the same program as test-dispatch-header.c,
// compiled as C++, so a dispatcher written in C++ sees the same ABI.
#include "test-dispatch-header.c"
