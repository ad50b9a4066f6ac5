module example.com/dwarfdump

go 1.19
