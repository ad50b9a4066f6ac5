module example.com/gosymfuncs

go 1.19
