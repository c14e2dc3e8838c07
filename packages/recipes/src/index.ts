// @resnext/recipes: recipes and the trainer arrive with issue #7.
export {};
