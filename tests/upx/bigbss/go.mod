module example.com/bigbss

go 1.19
