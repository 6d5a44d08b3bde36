local t = string.rep("x", 1 << 30)
