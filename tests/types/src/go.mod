module example.com/typesfixture

go 1.19
