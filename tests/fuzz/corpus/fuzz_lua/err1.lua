local c = kraft.cluster{ controllers = 3 }
c:start()
sleep(1 * s)
c:crash(7)
