local c = kraft.cluster{ controllers = 3, config = { ["no.such.key"] = 1 } }
