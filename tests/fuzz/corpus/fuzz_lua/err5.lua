local c = kraft.cluster{ controllers = 3, config = { ["controller.quorum.fetch.timeout.ms"] = "abc" } }
